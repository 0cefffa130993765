"""Route 53's own API (REST-XML 2013-04-01, SigV4) over the domain apps' services: no rules of its own."""
