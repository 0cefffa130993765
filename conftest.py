pytest_plugins = ["accounts.testing"]
