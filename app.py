"""夏县项目一张图 — the Streamlit entry point: reads the store (cached at the I/O boundary), wires the views.

Run: ``streamlit run app.py`` (``make run`` builds the default store first).
"""

import streamlit as st

from xxgeo.views.shell import run

st.set_page_config(page_title="夏县项目一张图 xxgeo", page_icon="🗺️", layout="wide")
run()
