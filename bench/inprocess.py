"""What the in-process CPU benches share (``bench.intake_cpu``, ``notify_cpu``,
``tracking_cpu``): the command line, and the rounds, of which the last one is
dumped (its rows, to compare two versions of the code) or profiled on request."""
import argparse


def arguments(prog, rounds=2, profile=True):
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--petitions", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument("--dump", help="write the last round's rows to this file")
    if profile:
        parser.add_argument("--profile", help="cProfile the last round to this file")
    return parser


def rounds(args):
    """(round number, dump file, profile file) a round; the files only for the last."""
    for number in range(1, args.rounds + 1):
        last = number == args.rounds
        yield (number, args.dump if last else None,
               getattr(args, "profile", None) if last else None)
