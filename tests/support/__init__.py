"""Test helpers shared by every test package: processes, ports, a throwaway PostgreSQL."""
