#pragma once

#include <QString>
#include <QStringList>

class QCommandLineParser;

namespace countersign::cli {

/// `runtime add|list|revoke` and `policy list|add|remove`: administration on the vault itself,
/// working whether or not the app is running (SQLite serialises the writers).
class AdminCommands final {
public:
    AdminCommands(QString dataDir, bool json);

    [[nodiscard]] int runtime(const QStringList& args, const QCommandLineParser& parser);
    [[nodiscard]] int policy(const QStringList& args, const QCommandLineParser& parser);

private:
    QString m_dataDir;
    bool m_json = false;
};

} // namespace countersign::cli
