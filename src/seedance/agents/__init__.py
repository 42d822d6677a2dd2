"""Seedance for AI agents: the MCP server's tools (`seedance mcp`) and the rules that keep them safe.

`safety` (which files an agent may read and where videos may be written), `requests` (the tool inputs,
built from `VideoRequest` itself), `tools` (what each tool does, as plain async methods) and `server` (the
MCP wiring: the only module that imports the `mcp` package).
"""
