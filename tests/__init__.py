"""The test suite (pytest); ``support/`` holds the helpers the tests share, ``bench/`` the benchmarks."""
