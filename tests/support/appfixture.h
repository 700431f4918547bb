#pragma once

#include "approvals/runtimeidentity.h"
#include "http/endpointsettings.h"

#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace countersign::application {
class Instance;
}
namespace countersign::approvals {
class RequestEvents;
class Services;
} // namespace countersign::approvals
namespace countersign::vault {
class Vault;
}

namespace countersign::test {

/// What a test of the window or its tabs runs on, the same in each: a directory of its own, the
/// app built on a new vault in it as every front end builds it (application::Instance, the
/// endpoint not started) and one runtime registered on it.
class AppFixture final {
public:
    /// Where the endpoint listens when started: any free loopback port, no Unix socket.
    [[nodiscard]] static http::EndpointSettings loopbackOnly();

    AppFixture();
    ~AppFixture();
    AppFixture(const AppFixture&) = delete;
    AppFixture& operator=(const AppFixture&) = delete;

    /// Builds it, registering runtime \a runtimeName allowed \a globs; false (with a warning
    /// naming what failed) when something could not be built.
    [[nodiscard]] bool open(const http::EndpointSettings& settings = loopbackOnly(),
                            const QString& runtimeName = QStringLiteral("ci"),
                            const QStringList& globs = {QStringLiteral("deploy.*")});

    [[nodiscard]] QString filePath(const QString& name) const { return m_dir.filePath(name); }
    [[nodiscard]] application::Instance& instance() const { return *m_instance; }
    /// Hands the instance over (to a SessionController); the accessors below need it.
    [[nodiscard]] std::unique_ptr<application::Instance> takeInstance();
    [[nodiscard]] vault::Vault& vault() const;
    [[nodiscard]] approvals::RequestEvents& events() const;
    [[nodiscard]] approvals::Services& services() const;
    /// The registered runtime as the endpoint knows it after its token, and that token.
    [[nodiscard]] const approvals::RuntimeIdentity& runtime() const { return m_runtime; }
    [[nodiscard]] const QString& runtimeToken() const { return m_runtimeToken; }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<application::Instance> m_instance;
    approvals::RuntimeIdentity m_runtime;
    QString m_runtimeToken;
};

} // namespace countersign::test
