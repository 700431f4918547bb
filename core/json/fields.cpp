#include "fields.h"

namespace countersign::json {

Fields::Fields(const QJsonObject& object)
{
    m_members.reserve(object.size());
    for (auto it = object.constBegin(); it != object.constEnd(); ++it)
        m_members.insert(it.key(), it.value());
}

QJsonValue Fields::value(const QString& key) const
{
    return m_members.value(key, QJsonValue(QJsonValue::Undefined));
}

} // namespace countersign::json
