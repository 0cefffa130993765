pytest_plugins = ["console.testing"]
