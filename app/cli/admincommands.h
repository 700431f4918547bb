#pragma once

#include "adminsession.h"

#include <QString>
#include <QStringList>

class QCommandLineParser;

namespace countersign::cli {

/// `runtime add|list|revoke` and `policy list|add|remove`: administration on the vault itself,
/// working whether or not the app is running (SQLite serialises the writers), or on a team's
/// database while its nodes serve.
class AdminCommands final {
public:
    AdminCommands(AdminTarget target, bool json);

    [[nodiscard]] int runtime(const QStringList& args, const QCommandLineParser& parser);
    [[nodiscard]] int policy(const QStringList& args, const QCommandLineParser& parser);

private:
    AdminTarget m_target;
    bool m_json = false;
};

} // namespace countersign::cli
