// stub: an engine-internal header
