#!/usr/bin/env bash
clear; bash /usr/local/bin/tutorial-wait.sh && cd /root/fashion-mnist-tutorial && . .venv/bin/activate
