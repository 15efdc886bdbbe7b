"""Run every benchmark: `python -m bench` (or `./dev bench`)."""

from bench import dispatch_bench

if __name__ == "__main__":
    dispatch_bench.main()
