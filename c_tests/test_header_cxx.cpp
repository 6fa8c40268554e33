// tspar.h compiled as C++11 (with -Wall -Wextra -Wpedantic -Werror), and a
// few calls made through it: the header's extern "C" block and types work
// for C++ programs.
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include <tspar.h>

namespace {

struct TablesDeleter {
    void operator()(tspar_tables_t *t) const { tspar_tables_free(t); }
};
using Tables = std::unique_ptr<tspar_tables_t, TablesDeleter>;

int failures = 0;

void check(bool ok, const char *what, int line)
{
    if (!ok) {
        std::fprintf(stderr, "%s:%d: check failed: %s (%s)\n", __FILE__, line, what,
            tspar_last_error_message());
        ++failures;
    }
}
#define CHECK(x) check((x), #x, __LINE__)

} // namespace

int main()
{
    CHECK(std::string(tspar_version()).size() >= 5);
    tspar_tables_t *raw = nullptr;
    CHECK(tspar_tables_new(100.0, &raw) == 0);
    Tables t(raw);
    tspar_id_t pop = tspar_tables_add_population(t.get(), nullptr, 0);
    CHECK(pop == 0);
    tspar_id_t u = tspar_tables_add_node(t.get(), TSPAR_NODE_IS_SAMPLE, 0.0, pop, TSPAR_NULL,
        "md", 2);
    tspar_id_t v = tspar_tables_add_node(t.get(), 0, 1.0, pop, TSPAR_NULL, nullptr, 0);
    CHECK(u == 0 && v == 1);
    CHECK(tspar_tables_add_edge(t.get(), 0.0, 100.0, v, u, nullptr, 0) == 0);
    CHECK(tspar_tables_num_rows(t.get(), TSPAR_TABLE_NODES) == 2);

    tspar_node_t row{};
    char md[2];
    CHECK(tspar_tables_get_node(t.get(), u, &row, md, sizeof md) == 0);
    CHECK(row.metadata_length == 2 && std::memcmp(md, "md", 2) == 0);
    CHECK(row.population == pop);

    int code = tspar_tables_get_node(t.get(), 7, &row, nullptr, 0);
    CHECK(code == TSPAR_ERR_NODE_OUT_OF_BOUNDS);
    CHECK(std::string(tspar_strerror(code)).find("node") != std::string::npos);
    CHECK(std::strlen(tspar_last_error_message()) > 0);

    tspar_tables_t *copy_raw = nullptr;
    CHECK(tspar_tables_copy(t.get(), &copy_raw) == 0);
    Tables copy(copy_raw);
    CHECK(tspar_tables_equals(t.get(), copy.get(), 0) == 1);
    CHECK(tspar_is_unknown_time(tspar_unknown_time()) == 1);

    if (failures == 0) {
        std::printf("test_header_cxx: ok\n");
    }
    return failures == 0 ? 0 : 1;
}
