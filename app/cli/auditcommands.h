#pragma once

#include "adminsession.h"

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

namespace countersign::cli {

/// `audit export FILE`, `audit key` (on the vault or a team's database), `audit verify EXPORT [--checkpoint FILE]
/// [--key KEY]` and `receipt verify FILE --key KEY` (offline, no vault needed).
class AuditCommands final {
public:
    AuditCommands(AdminTarget target, bool json);

    [[nodiscard]] int audit(const QStringList& args, const QCommandLineParser& parser);
    [[nodiscard]] int receipt(const QStringList& args, const QCommandLineParser& parser);

private:
    [[nodiscard]] int exportTo(const QString& path);
    [[nodiscard]] int printKey();
    [[nodiscard]] int verifyExport(const QString& path, const QCommandLineParser& parser);

    AdminTarget m_target;
    bool m_json = false;
};

} // namespace countersign::cli
