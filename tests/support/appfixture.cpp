#include "appfixture.h"

#include "application/instance.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "testsupport.h"
#include "vault/vault.h"

namespace countersign::test {

http::EndpointSettings AppFixture::loopbackOnly()
{
    http::EndpointSettings settings;
    settings.port = 0;
    settings.localSocketPath.clear();
    return settings;
}

AppFixture::AppFixture() = default;

AppFixture::~AppFixture() = default;

bool AppFixture::open(const http::EndpointSettings& settings, const QString& runtimeName, const QStringList& globs)
{
    if (!m_dir.isValid()) {
        qWarning("AppFixture: no temporary directory: %s", qPrintable(m_dir.errorString()));
        return false;
    }
    m_instance = openInstance(createVault(m_dir.filePath(QStringLiteral("vault"))), settings);
    if (!m_instance)
        return false;
    auto token = services().runtimes().registerRuntime(runtimeName, globs, QStringLiteral("member:owner"));
    if (!token) {
        qWarning("AppFixture: %s", qPrintable(describe(token)));
        return false;
    }
    m_runtimeToken = *token;
    auto runtime = services().requests().authenticate(m_runtimeToken.toLatin1());
    if (!runtime) {
        qWarning("AppFixture: %s", qPrintable(describe(runtime)));
        return false;
    }
    m_runtime = *runtime;
    return true;
}

std::unique_ptr<application::Instance> AppFixture::takeInstance()
{
    return std::move(m_instance);
}

vault::Vault& AppFixture::vault() const
{
    return m_instance->vault();
}

approvals::RequestEvents& AppFixture::events() const
{
    return m_instance->events();
}

approvals::Services& AppFixture::services() const
{
    // Open from open() on: a test that closes them (a re-key) reopens them before asking.
    return *m_instance->services();
}

} // namespace countersign::test
