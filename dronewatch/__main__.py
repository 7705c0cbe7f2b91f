from dronewatch.cli import main

# Guarded: analysis worker processes are spawned, and spawn re-imports the main module.
if __name__ == "__main__":
    raise SystemExit(main())
