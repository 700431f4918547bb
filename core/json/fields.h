#pragma once

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace countersign::json {

/// The members of an object as the object iterates them, for reading untrusted bodies. Qt 6.4's
/// QJsonObject::value() can miss a key the object holds (an object mixing Latin-1 and UTF-16
/// keys; found by fuzzing, tests/fuzz/regressions/request): a present field would read as absent.
class Fields final {
public:
    explicit Fields(const QJsonObject& object);
    /// The member named \a key; Undefined when there is none.
    [[nodiscard]] QJsonValue value(const QString& key) const;

private:
    QHash<QString, QJsonValue> m_members;
};

} // namespace countersign::json
