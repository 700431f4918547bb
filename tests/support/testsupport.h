#pragma once

#include "approvals/request.h"
#include "approvals/runtimeidentity.h"
#include "crypto/securebuffer.h"
#include "error.h"
#include "vault/vault.h"

#include <QByteArray>
#include <QJsonValue>
#include <QString>
#include <QStringList>
#include <QTest>

#include <memory>
#include <source_location>

class QAbstractSocket;
class QProcess;

namespace countersign::application {
class Instance;
}
namespace countersign::http {
struct EndpointSettings;
}
namespace countersign::approvals {
class RequestEvents;
class RequestService;
class Services;
} // namespace countersign::approvals

/// Fails the current test function unless \a result (a Result<T>, evaluated once) holds a value,
/// naming the error's code and message; use it before dereferencing a Result.
#define VERIFY_RESULT(result)                                                                                          \
    do {                                                                                                               \
        const auto& verifiedResult_ = (result);                                                                        \
        QVERIFY2(verifiedResult_.has_value(), qPrintable(::countersign::test::describe(verifiedResult_)));             \
    } while (false)

namespace countersign::test {

/// A passphrase the policy accepts.
inline const QString PASSPHRASE = QStringLiteral("correct horse battery staple 42");
inline const QString OTHER_PASSPHRASE = QStringLiteral("violet tangerine saxophone 1987");

/// "code: message" of a failed Result, empty for a value (VERIFY_RESULT's failure text).
template <typename T> [[nodiscard]] QString describe(const Result<T>& result)
{
    return result ? QString() : errorCodeName(result.error().code) + QStringLiteral(": ") + result.error().message;
}

/// The code of the error \a result holds. A value where an error was expected fails the current
/// test function there (naming the caller's line), so a comparison of the code never reads the
/// error of a Result that has none.
template <typename T>
[[nodiscard]] ErrorCode errorCode(const Result<T>& result, std::source_location where = std::source_location::current())
{
    if (!result)
        return result.error().code;
    QTest::qFail("expected an error, got a value", where.file_name(), static_cast<int>(where.line()));
    return ErrorCode::Storage;
}

[[nodiscard]] crypto::SecureBuffer secure(const QString& text);
/// A vault in \a dir with the fast KDF; fails the current test (returns null) on error.
[[nodiscard]] std::unique_ptr<vault::Vault> createVault(const QString& dir,
                                                        const QString& owner = QStringLiteral("Ada"));
[[nodiscard]] std::unique_ptr<vault::Vault> openVault(const QString& dir, const QString& passphrase = PASSPHRASE);
/// The running app on \a vault as every front end builds it (endpoint not started); null (with
/// a warning naming the error) on failure or without a vault.
[[nodiscard]] std::unique_ptr<application::Instance> openInstance(std::unique_ptr<vault::Vault> vault,
                                                                  const http::EndpointSettings& settings);
/// The services of a new connection \a connectionName to \a vault; null (with a warning naming
/// the error) on failure.
[[nodiscard]] std::unique_ptr<approvals::Services>
openServices(const vault::Vault& vault, approvals::RequestEvents& events, const QString& connectionName);
/// Registers runtime \a name and returns it as the endpoint would after authenticating its token.
[[nodiscard]] approvals::RuntimeIdentity registerRuntime(approvals::Services& services, const QString& name,
                                                         const QStringList& globs);
/// Adds member \a id with \a role and a fresh Ed25519 key (stored as their public key), and
/// lets \a services sign that member's decisions, as if they decided at their own machine.
/// Returns the key, or null on failure.
std::shared_ptr<const crypto::SigningKey> addMember(approvals::Services& services, const QString& id,
                                                    const QString& displayName, const QString& role);
/// Request \a id as \a requests stores it. When it cannot be read, the current test function
/// fails there (naming the error and the caller's line) and a default request comes back, so
/// a caller's field comparisons never read an unset Result.
[[nodiscard]] approvals::Request stored(approvals::RequestService& requests, const QString& id,
                                        std::source_location where = std::source_location::current());
/// Creates a `deploy.web` request for \a runtime; returns its id, or empty on failure.
[[nodiscard]] QString createRequest(approvals::RequestService& requests, const approvals::RuntimeIdentity& runtime,
                                    const QString& summary, const QString& risk, const QJsonValue& payload = {});
/// SHA-256 of a file's bytes, or empty if it cannot be read.
[[nodiscard]] QByteArray fileDigest(const QString& path);
/// Writes \a text plus a newline to \a path (passphrase files for child processes).
void writeTextFile(const QString& path, const QString& text);
/// Copies the files of a closed vault's directory \a from into a new directory \a to (flat, with
/// permissions), so a long setup is done once and each test function still has its own vault.
[[nodiscard]] bool copyDirectory(const QString& from, const QString& to);
/// The value after \a name in \a arguments ("--iterations 100"), or \a fallback when \a name is
/// not there: the options of the harnesses and benchmarks that run as programs.
[[nodiscard]] QString optionValue(const QStringList& arguments, const QString& name, const QString& fallback);
/// A loopback port free at the moment of asking (for child processes that need a fixed one).
[[nodiscard]] quint16 freeLoopbackPort();
/// Starts `countersign --headless` (\a app) on \a dataDir and \a port, unlocked from \a passFile,
/// and waits up to a minute for it to say it is serving; \a output gets what it printed.
[[nodiscard]] bool startHeadless(QProcess& server, const QString& app, const QString& dataDir, const QString& passFile,
                                 quint16 port, const QStringList& extraArguments, QByteArray& output);
/// Stops a child process: SIGTERM, and SIGKILL if it has not ended within \a graceMs.
void stopProcess(QProcess& process, int graceMs = 10000);
/// Writes one HTTP/1.1 request (Connection: close) on a connected socket and returns the raw
/// answer, read until the server closes. An empty \a token sends no Authorization header.
[[nodiscard]] QByteArray httpExchange(QAbstractSocket& socket, const QByteArray& method, const QByteArray& path,
                                      const QByteArray& host, const QByteArray& token, const QByteArray& body,
                                      const QByteArray& contentType = "application/json");

} // namespace countersign::test
