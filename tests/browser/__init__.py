"""Browser tests: headless Chromium against a live server, checked with axe-core."""
