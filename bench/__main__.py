"""Run every benchmark: `python -m bench` (or `./dev bench`)."""

from bench import dispatch_bench, scheduler_bench, telegram_bench

if __name__ == "__main__":
    dispatch_bench.main()
    scheduler_bench.main()
    telegram_bench.main()
