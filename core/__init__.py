"""What every service shares: event contracts, the store with its outbox and
inbox, reliable event handling, RPC errors and the crypto helpers."""
