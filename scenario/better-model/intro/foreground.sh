#!/usr/bin/env bash
clear; [ -f /usr/local/bin/tutorial ] || echo "Waiting for the tutorial's files to reach this machine..."; if timeout 300 bash -c 'until [ -f /usr/local/bin/tutorial ]; do sleep 1; done'; then source /usr/local/bin/tutorial; else echo "The tutorial's files never reached this machine: restart the scenario."; fi
