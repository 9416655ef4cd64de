"""`python -m groupbot`: the same as the `groupbot` command."""

from groupbot.entry import main

main()
