#pragma once

#include <QString>
#include <QStringList>

namespace countersign::cli {

/// `countersign-cli vault init|passwd|check`: administration of a vault without the window.
class VaultCommands final {
public:
    VaultCommands(QString dataDir, bool json);

    /// Runs the subcommand in \a args (e.g. {"init"}); returns the process exit code.
    [[nodiscard]] int run(const QStringList& args, const QString& ownerName);

private:
    [[nodiscard]] int init(const QString& ownerName);
    [[nodiscard]] int changePassphrase();
    [[nodiscard]] int check();

    QString m_dataDir;
    bool m_json = false;
};

} // namespace countersign::cli
