"""Demo media made by the project (see generate.py): a camera picture and a microphone recording."""
