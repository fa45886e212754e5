// A shared object without STEADFAST_PLUGIN: a library listed as a plugin by
// mistake. Loading it must say which entry point symbols are missing.
extern "C" int not_a_steadfast_plugin() { return 42; }
