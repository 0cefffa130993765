"""Console pages of zones, one module a concern: `hosted_zones` (the list and the record
editor's page), `records` (record set changes), `history` (change batches and their revert),
`imports` (export and import), `networks` (networks, endpoints, delegation sets); `common`
holds what several of them share."""
