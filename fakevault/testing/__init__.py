"""What downstream test suites use: in-process clients, the pytest plugin, Hypothesis tools."""
