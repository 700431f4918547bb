#pragma once

#include "error.h"

#include <QJsonObject>
#include <QString>

#include <functional>

namespace countersign::cli {

/// Every client is a witness of the instances it talks to (the gossip idea of RFC 9162 section
/// 8.1.4, kept locally): it remembers the newest checkpoint each instance showed it and, on every
/// contact, wants the instance's current checkpoint and a consistency proof from the remembered
/// one. An instance that shows a smaller tree, another tree of the same size, or a tree it cannot
/// prove extends the remembered one was rolled back or rewritten, and is refused.
///
/// Instances are told apart by their origin (which names their public key); what is remembered is
/// kept in one file, 0600, replaced atomically and synced, under a lock shared by every client
/// process of the user.
class Witness final {
public:
    /// An HTTP GET on the instance: the status (0 when nothing came back) and the JSON body.
    using Get = std::function<std::pair<int, QJsonObject>(const QString& pathAndQuery)>;

    explicit Witness(QString stateFile);

    /// $COUNTERSIGN_WITNESS_FILE, else witness.json in $XDG_STATE_HOME/countersign (by default
    /// ~/.local/state/countersign).
    [[nodiscard]] static QString defaultStateFile();

    /// Fetches the instance's checkpoint through \a get and checks it against what was seen
    /// before; returns the instance's origin. Integrity when the instance was rolled back or
    /// rewritten; Unavailable when it does not answer with a checkpoint or a proof; Io when the
    /// state file cannot be kept.
    [[nodiscard]] Result<QString> check(const Get& get) const;

private:
    QString m_stateFile;
};

/// Prints why an instance was not trusted and returns the exit code: 3, as for a server that
/// fails to authenticate (the instance could not prove the history it showed before), 1 when
/// the client's own state file is the problem.
[[nodiscard]] int reportWitnessFailure(bool json, const Error& error);

} // namespace countersign::cli
