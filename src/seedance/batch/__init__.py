"""Many videos from one file: parse and check every line, price the lot, then run the jobs over AsyncClient.

`input` reads a JSONL or CSV file into checked lines (nothing is sent until every line is good); `cost`
prices the file and holds `--max-cost`; `pacing` adapts the submit rate to the gateway's 429s; `poller` is
the one loop that checks every running job; `runner` ties them together through the journal, so that a
batch killed at any point is finished by running it again; `manifest` writes what became of each line.
"""
