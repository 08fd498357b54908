namespace dg::dns {}
