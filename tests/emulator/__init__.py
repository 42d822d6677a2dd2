"""Tests of the local Pixazo gateway emulator, over real HTTP on 127.0.0.1."""
