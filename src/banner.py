"""What `make run` prints before it starts the processes."""

BANNER = """
Movie service on http://127.0.0.1:8000  (docs: /docs, spec: /openapi.json)
Customer page with the cheapest prices: http://127.0.0.1:8000/
Provider simulator on http://127.0.0.1:8001 (turn a provider off:
  curl -X PUT http://127.0.0.1:8001/_faults/filmworld -H 'Content-Type: application/json' \\
       -d '{"error_rate": 1.0}'   and back: curl -X DELETE http://127.0.0.1:8001/_faults/)

  curl -s -X POST http://127.0.0.1:8000/register/ \\
       -H 'Content-Type: application/json' \\
       -d '{"username": "alice", "password": "a-long-password"}'

  export TOKEN=<access_token from the answer>
  curl -s http://127.0.0.1:8000/catalog/movies/ -H "Authorization: Bearer $TOKEN"
  curl -s http://127.0.0.1:8000/movies/ -H "Authorization: Bearer $TOKEN"
  curl -s http://127.0.0.1:8000/prices/movies/ -H "Authorization: Bearer $TOKEN"

Admin: flask --app wsgi create-admin --username admin --password <password>
"""

if __name__ == "__main__":
    print(BANNER)
