"""``make bench``: the petition pipeline measured against a bare nameko chain
with the same number of hops, on this machine's RabbitMQ (see ``__main__``)."""
