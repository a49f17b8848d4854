"""Browser tests: Debian's Chromium through Playwright against a live server.

The fixtures are in ``tests/e2e/conftest.py``; its docstring shows how to use them.
"""
