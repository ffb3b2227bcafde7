"""Test support shared by every service: embedded infrastructure fixtures and token minting."""
