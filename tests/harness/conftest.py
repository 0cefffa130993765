def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "harness: fault tests on several hosts in network namespaces (scripts/netns/harness.py)"
    )
