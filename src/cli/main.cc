#include "cli/cli.h"

int main(int argc, char** argv) { return jf::RunCli(argc, argv); }
