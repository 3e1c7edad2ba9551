"""Ahead-of-time translation of riscv64 guest pages into C for the engine (issue 13).

pagehash: the engine's page hash; rvdecode: RV64GC decoding as the interpreter does it;
profile: the engine's --profile-pages file and page selection; emit: C for one page;
table: the C file with all pages and their lookup table; cli: the command line.
"""
