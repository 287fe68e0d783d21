"""The API's routes, one module per feature; each route parses, calls one service, formats."""
