#pragma once
// The web console's files (gateway/web): read once at start-up from a folder, then answered
// from memory, so a request never touches the file system and no path a client sends is ever
// joined to a directory. Pure apart from the loading.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "gateway/http/http_types.hpp"

namespace piket::gateway {

// Where the console's files are: `web/` beside the gateway binary (a build tree links it to
// gateway/web) or `../share/piket/web` from it (an installed gateway). Empty when neither exists.
std::filesystem::path default_web_root();

// "text/javascript; charset=utf-8" for "app.js"; "" for an extension we do not serve.
std::string_view content_type_for(std::string_view file_name);

class StaticFiles {
 public:
  StaticFiles() = default;
  // Every regular file under `root` with a known extension, by its path from the root ("js/app.js").
  // Names with anything but letters, digits, '.', '_' and '-' per segment are left out.
  static Result<StaticFiles> load(const std::filesystem::path& root);

  // The answer to GET or HEAD of a path under the console's prefix (after "/console/"), e.g.
  // "js/app.js" with an optional "?query". An encoded character, an empty, "." or ".." segment
  // or a backslash is 400; a name not loaded is 404. `if_none_match` is the request's header:
  // the same ETag answers 304.
  HttpResponse serve(std::string_view path, std::string_view method, std::string_view if_none_match) const;
  std::size_t size() const { return files_.size(); }
  bool empty() const { return files_.empty(); }

 private:
  struct File {
    std::string content_type;
    std::string body;
    std::string etag;
  };
  std::map<std::string, File, std::less<>> files_;
};

// The console's path checked the same way serve() does: "" when it may be looked up, or why not.
std::string refused_path(std::string_view path);

}  // namespace piket::gateway
