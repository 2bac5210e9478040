import re
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_starts_with_the_two_commands():
    first_block = (ROOT / "README.md").read_text().split("```")[1]
    assert "make run" in first_block and "make test" in first_block


def test_readme_configuration_table_matches_env_example():
    generator = runpy.run_path(str(ROOT / "scripts/config_table.py"))
    readme = (ROOT / "README.md").read_text()
    assert generator["render"](readme) == readme, "run: .venv/bin/python scripts/config_table.py"


def test_every_setting_read_by_config_is_documented():
    names = {name for name, _, _ in runpy.run_path(str(ROOT / "scripts/config_table.py"))["rows"]()}
    source = "".join(path.read_text() for path in (ROOT / "config").glob("*.py")) + "".join(
        path.read_text() for path in (ROOT / "src").rglob("*.py")
    )
    read = set(re.findall(r'_[a-z_]+\(env, "([A-Z0-9_]+)"', source))
    read |= set(re.findall(r'env\.get\("([A-Z0-9_]+)"', source))
    assert read - names == set()
