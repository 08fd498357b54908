// GEXF (1.2draft by default, 1.3 on request) and GraphML writers of the infrastructure graph
// (graph.hpp).
#include "dg/export/graph.hpp"
#include "dg/export/writers.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace dg::exports {
namespace {

constexpr std::size_t kFlushAt = std::size_t{1} << 16;

/// Edges of a GEXF file written in one pass wait here until every node is written (GEXF puts
/// all nodes first). The file is made on the first write.
class Spool {
public:
    Spool() = default;
    ~Spool() {
        if (file_ != nullptr) {
            std::fclose(file_);
        }
    }
    Spool(const Spool&) = delete;
    Spool& operator=(const Spool&) = delete;

    Result<void> write(const std::string& s) {
        if (file_ == nullptr) {
            file_ = std::tmpfile();
        }
        if (file_ == nullptr || std::fwrite(s.data(), 1, s.size(), file_) != s.size()) {
            return make_error(ErrorCode::Io,
                              std::string("temporary file for edges: ") + std::strerror(errno));
        }
        return ok();
    }
    Result<void> copy_to(Output& out) {
        if (file_ == nullptr) {
            return ok(); // nothing spooled
        }
        if (std::fflush(file_) != 0 || std::fseek(file_, 0, SEEK_SET) != 0) {
            return make_error(ErrorCode::Io, "temporary file for edges: cannot rewind");
        }
        std::string block(kFlushAt, '\0');
        std::size_t n = 0;
        while ((n = std::fread(block.data(), 1, block.size(), file_)) > 0) {
            DG_TRY_VOID(out.write(std::string_view(block.data(), n)));
        }
        if (std::ferror(file_) != 0) {
            return make_error(ErrorCode::Io, "temporary file for edges: read failed");
        }
        return ok();
    }

private:
    std::FILE* file_ = nullptr;
};

class XmlGraphWriter : public ResultWriter {
public:
    XmlGraphWriter(Output& out, WriterOptions options)
        : out_(out), options_(std::move(options)), builder_(new_builder()) {}

    Result<void> write(const model::DomainResult& r) override {
        if (!started_) {
            header(nodes_);
            started_ = true;
        }
        builder_.add(r);
        if (!failure_) {
            return failure_;
        }
        if (nodes_.size() >= kFlushAt) {
            DG_TRY_VOID(out_.write(nodes_));
            nodes_.clear();
        }
        if (edges_.size() >= kFlushAt) {
            DG_TRY_VOID(flush_edges());
        }
        return ok();
    }
    [[nodiscard]] std::uint64_t rows() const override { return count_; }

protected:
    virtual void header(std::string& out) = 0;
    virtual void node(std::string& out, const GraphNode& n) = 0;
    virtual void edge(std::string& out, const GraphEdge& e, std::uint64_t id) = 0;
    virtual Result<void> flush_edges() = 0;

    /// What the builder's callbacks write: both, or (two passes) nodes then edges.
    enum class Emit { Both, Nodes, Edges };
    GraphBuilder new_builder() {
        return GraphBuilder([this](const GraphNode& n) { on_node(n); },
                            [this](const GraphEdge& e) { on_edge(e); });
    }
    /// From now on only `what` is written, from a fresh builder (the next pass).
    void restart(Emit what) {
        emit_ = what;
        builder_ = new_builder();
    }
    void on_node(const GraphNode& n) {
        if (emit_ != Emit::Edges) {
            node(nodes_, n);
            ++count_;
        }
    }
    void on_edge(const GraphEdge& e) {
        if (emit_ != Emit::Nodes) {
            edge(edges_, e, edge_ids_++);
            ++count_;
        }
    }

    Output& out_;
    WriterOptions options_;
    GraphBuilder builder_;
    Emit emit_ = Emit::Both;
    std::string nodes_;
    std::string edges_;
    Result<void> failure_;
    bool started_ = false;
    std::uint64_t count_ = 0;
    std::uint64_t edge_ids_ = 0;
};

class GexfWriter final : public XmlGraphWriter {
public:
    GexfWriter(Output& out, WriterOptions options) : XmlGraphWriter(out, std::move(options)) {
        if (options_.repeatable_input) {
            restart(Emit::Nodes); // the edges come in the second pass
        }
    }

    [[nodiscard]] unsigned passes() const override { return options_.repeatable_input ? 2 : 1; }
    Result<void> next_pass() override {
        DG_TRY_VOID(close_nodes());
        restart(Emit::Edges);
        return ok();
    }
    Result<void> finish() override {
        if (emit_ == Emit::Edges) {
            DG_TRY_VOID(flush_edges()); // the second pass: straight to the output
        } else {
            DG_TRY_VOID(close_nodes());
            DG_TRY_VOID(flush_edges());
            DG_TRY_VOID(spool_.copy_to(out_));
        }
        return out_.write("    </edges>\n  </graph>\n</gexf>\n");
    }

protected:
    void header(std::string& out) override {
        // Only the namespace and version differ: what domaingraph writes (nodes, edges, typed
        // attributes, meta) has the same form in both.
        out += options_.gexf_version == GexfVersion::V1_3
                   ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<gexf xmlns=\"http://gexf.net/1.3\" "
                     "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                     "xsi:schemaLocation=\"http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd\" "
                     "version=\"1.3\">\n"
                   : "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<gexf xmlns=\"http://www.gexf.net/1.2draft\" "
                     "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                     "xsi:schemaLocation=\"http://www.gexf.net/1.2draft "
                     "http://www.gexf.net/1.2draft/gexf.xsd\" "
                     "version=\"1.2\">\n";
        out += "  <meta>\n    <creator>domaingraph</creator>\n    <description>";
        append_xml_escaped(out, options_.graph_name);
        out += "</description>\n  </meta>\n"
               "  <graph defaultedgetype=\"directed\" mode=\"static\">\n"
               "    <attributes class=\"node\">\n"
               "      <attribute id=\"type\" title=\"type\" type=\"string\"/>\n"
               "      <attribute id=\"status\" title=\"status\" type=\"string\"/>\n"
               "      <attribute id=\"asn\" title=\"asn\" type=\"long\"/>\n"
               "    </attributes>\n"
               "    <attributes class=\"edge\">\n"
               "      <attribute id=\"type\" title=\"type\" type=\"string\"/>\n"
               "      <attribute id=\"preference\" title=\"preference\" type=\"integer\"/>\n"
               "    </attributes>\n"
               "    <nodes>\n";
    }
    void node(std::string& out, const GraphNode& n) override {
        out += "      <node id=\"";
        append_xml_escaped(out, n.id);
        out += "\" label=\"";
        append_xml_escaped(out, n.label);
        out += "\"><attvalues><attvalue for=\"type\" value=\"";
        out += n.type;
        out += "\"/>";
        if (n.status) {
            out += "<attvalue for=\"status\" value=\"";
            append_xml_escaped(out, *n.status);
            out += "\"/>";
        }
        if (n.asn) {
            out += "<attvalue for=\"asn\" value=\"" + std::to_string(*n.asn) + "\"/>";
        }
        out += "</attvalues></node>\n";
    }
    void edge(std::string& out, const GraphEdge& e, std::uint64_t id) override {
        out += "      <edge id=\"" + std::to_string(id) + "\" source=\"";
        append_xml_escaped(out, e.source);
        out += "\" target=\"";
        append_xml_escaped(out, e.target);
        out += "\" label=\"";
        out += e.type;
        out += "\"><attvalues><attvalue for=\"type\" value=\"";
        out += e.type;
        out += "\"/>";
        if (e.preference) {
            out += "<attvalue for=\"preference\" value=\"" + std::to_string(*e.preference) + "\"/>";
        }
        out += "</attvalues></edge>\n";
    }
    Result<void> flush_edges() override {
        if (edges_.empty()) {
            return ok();
        }
        auto r = emit_ == Emit::Edges ? out_.write(edges_) : spool_.write(edges_);
        edges_.clear();
        return r;
    }

private:
    /// Ends the node list (and starts the edge list) on the output.
    Result<void> close_nodes() {
        if (!started_) {
            header(nodes_);
            started_ = true;
        }
        nodes_ += "    </nodes>\n    <edges>\n";
        DG_TRY_VOID(out_.write(nodes_));
        nodes_.clear();
        return ok();
    }
    Spool spool_;
};

class GraphmlWriter final : public XmlGraphWriter {
public:
    using XmlGraphWriter::XmlGraphWriter;

    Result<void> finish() override {
        if (!started_) {
            header(nodes_);
        }
        DG_TRY_VOID(out_.write(nodes_));
        nodes_.clear();
        DG_TRY_VOID(flush_edges());
        return out_.write("  </graph>\n</graphml>\n");
    }

protected:
    void header(std::string& out) override {
        out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" "
               "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
               "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
               "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n"
               "  <key id=\"type\" for=\"node\" attr.name=\"type\" attr.type=\"string\"/>\n"
               "  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n"
               "  <key id=\"status\" for=\"node\" attr.name=\"status\" attr.type=\"string\"/>\n"
               "  <key id=\"asn\" for=\"node\" attr.name=\"asn\" attr.type=\"long\"/>\n"
               "  <key id=\"etype\" for=\"edge\" attr.name=\"type\" attr.type=\"string\"/>\n"
               "  <key id=\"preference\" for=\"edge\" attr.name=\"preference\" "
               "attr.type=\"int\"/>\n"
               "  <graph id=\"";
        append_xml_escaped(out, options_.graph_name);
        out += "\" edgedefault=\"directed\">\n";
    }
    void node(std::string& out, const GraphNode& n) override {
        // Nodes go to the edge buffer too: GraphML allows nodes and edges in any order, and
        // one buffer keeps every node ahead of the edges that use it.
        (void)out;
        auto& o = edges_;
        o += "    <node id=\"";
        append_xml_escaped(o, n.id);
        o += "\"><data key=\"type\">";
        o += n.type;
        o += "</data><data key=\"label\">";
        append_xml_escaped(o, n.label);
        o += "</data>";
        if (n.status) {
            o += "<data key=\"status\">";
            append_xml_escaped(o, *n.status);
            o += "</data>";
        }
        if (n.asn) {
            o += "<data key=\"asn\">" + std::to_string(*n.asn) + "</data>";
        }
        o += "</node>\n";
    }
    void edge(std::string& out, const GraphEdge& e, std::uint64_t id) override {
        out += "    <edge id=\"e" + std::to_string(id) + "\" source=\"";
        append_xml_escaped(out, e.source);
        out += "\" target=\"";
        append_xml_escaped(out, e.target);
        out += "\"><data key=\"etype\">";
        out += e.type;
        out += "</data>";
        if (e.preference) {
            out += "<data key=\"preference\">" + std::to_string(*e.preference) + "</data>";
        }
        out += "</edge>\n";
    }
    Result<void> flush_edges() override {
        if (!nodes_.empty()) {
            DG_TRY_VOID(out_.write(nodes_));
            nodes_.clear();
        }
        auto r = out_.write(edges_);
        edges_.clear();
        return r;
    }
};

} // namespace

std::unique_ptr<ResultWriter> make_gexf_writer(Output& out, const WriterOptions& options) {
    return std::make_unique<GexfWriter>(out, options);
}
std::unique_ptr<ResultWriter> make_graphml_writer(Output& out, const WriterOptions& options) {
    return std::make_unique<GraphmlWriter>(out, options);
}

} // namespace dg::exports
