namespace dg::bgp {}
