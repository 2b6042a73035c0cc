#include "gateway/static/static_files.hpp"

#include <array>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "common/crypto.hpp"

namespace piket::gateway {
namespace fs = std::filesystem;

namespace {
constexpr std::size_t kMaxFileBytes = 4 * 1024 * 1024;

bool safe_segment(std::string_view segment) {
  if (segment.empty() || segment == "." || segment == ".." || segment.front() == '.') return false;
  for (unsigned char c : segment)
    if (!(std::isalnum(c) || c == '.' || c == '_' || c == '-')) return false;
  return true;
}

HttpResponse plain_error(int status, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::string(message) + "\n";
  r.headers["Cache-Control"] = "no-store";
  return r;
}
}  // namespace

fs::path default_web_root() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const std::array<fs::path, 2> candidates{exe.parent_path() / "web",
                                           exe.parent_path().parent_path() / "share" / "piket" / "web"};
  for (const auto& dir : candidates)
    if (fs::is_directory(dir, ec)) return dir;
  return {};
}

std::string_view content_type_for(std::string_view name) {
  static const std::array<std::pair<std::string_view, std::string_view>, 8> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
  }};
  for (const auto& [ext, type] : kTypes)
    if (name.size() > ext.size() && name.ends_with(ext)) return type;
  return {};
}

std::string refused_path(std::string_view path) {
  // Percent-encoding is refused outright: our names never need it, and decoding is where
  // "%2e%2e" and "%2f" would turn into a traversal.
  if (path.find('%') != std::string_view::npos) return "an encoded character in the path";
  if (path.find('\\') != std::string_view::npos) return "a backslash in the path";
  if (path.find('\0') != std::string_view::npos) return "a NUL in the path";
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (!safe_segment(path.substr(start, slash - start))) return "an empty, dot or unusual segment in the path";
    start = slash + 1;
  }
  return {};
}

Result<StaticFiles> StaticFiles::load(const fs::path& root) {
  StaticFiles out;
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    return make_error(ErrorCode::unavailable, "web_root", "no console files at " + root.string());
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::follow_directory_symlink, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string rel = fs::relative(it->path(), root, ec).generic_string();
    const auto type = content_type_for(rel);
    if (ec || type.empty() || !refused_path(rel).empty()) continue;
    if (it->file_size(ec) > kMaxFileBytes) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) return make_error(ErrorCode::unavailable, "web_root", "cannot read " + it->path().string());
    File file{std::string(type), text.str(), {}};
    file.etag = "\"" + sha256_hex(file.body).substr(0, 32) + "\"";
    out.files_.emplace(rel, std::move(file));
  }
  if (ec) return make_error(ErrorCode::unavailable, "web_root", "cannot list " + root.string() + ": " + ec.message());
  return out;
}

HttpResponse StaticFiles::serve(std::string_view path, std::string_view method,
                                std::string_view if_none_match) const {
  if (method != "GET" && method != "HEAD") {
    HttpResponse r = plain_error(405, "GET or HEAD only");
    r.headers["Allow"] = "GET, HEAD";
    return r;
  }
  path = path.substr(0, path.find('?'));
  if (const std::string why = refused_path(path); !why.empty()) return plain_error(400, why);
  const auto it = files_.find(path);
  if (it == files_.end()) return plain_error(404, "no such file");
  HttpResponse r;
  r.content_type = it->second.content_type;
  r.headers["ETag"] = it->second.etag;
  // Revalidated every time (cheap: a 304), so a new gateway's console is never mixed with
  // cached modules of the old one.
  r.headers["Cache-Control"] = "no-cache";
  if (!if_none_match.empty() && if_none_match == it->second.etag) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  if (method == "GET") r.body = it->second.body;
  return r;
}

}  // namespace piket::gateway
