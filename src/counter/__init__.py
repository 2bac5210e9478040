"""The request counter: every served request counted, exact across processes and hosts."""
