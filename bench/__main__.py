"""Run the benchmarks: `python -m bench` (or `./dev bench`) runs the engine, scheduler and Telegram
ones (and restarts); `python -m bench safety` scores the crisis detector on its blind set, `python -m bench intents`
the intent model on its own."""

import sys

from bench import (
    chart_bench,
    dashboard_bench,
    dispatch_bench,
    intents_bench,
    notice_bench,
    restart_bench,
    safety_bench,
    sandbox_bench,
    scheduler_bench,
    sunday_bench,
    telegram_bench,
)

if __name__ == "__main__":
    if sys.argv[1:2] == ["safety"]:
        safety_bench.main(sys.argv[2:])
    elif sys.argv[1:2] == ["notices"]:
        notice_bench.main(sys.argv[2:])
    elif sys.argv[1:2] == ["dashboard"]:
        dashboard_bench.main(sys.argv[2:])
    elif sys.argv[1:2] == ["restart"]:
        restart_bench.main(sys.argv[2:])
    elif sys.argv[1:2] == ["chart"]:
        chart_bench.main(sys.argv[2:])
    elif sys.argv[1:2] == ["sunday"]:
        sunday_bench.main(sys.argv[2:])
    elif sys.argv[1:2] == ["sandbox"]:
        sandbox_bench.main(sys.argv[2:])
    elif sys.argv[1:2] == ["intents"]:
        intents_bench.main(sys.argv[2:])
    else:
        dispatch_bench.main()
        scheduler_bench.main()
        telegram_bench.main()
        notice_bench.main()
        restart_bench.main()
        dashboard_bench.main()
        sandbox_bench.main([])
        chart_bench.main([])
        sunday_bench.main([])
