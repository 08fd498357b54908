#include "dg/cli/cli.hpp"

int main(int argc, char** argv) {
    return dg::cli::run(argc, argv);
}
