"""The DNS server: sockets, wire parsing, error mapping, following changes.

Every answer comes from zones.engine; nothing here decides one.
"""
