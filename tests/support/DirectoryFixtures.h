// JSON fixtures for TestDirectory.
#pragma once
#include <QByteArray>

namespace fixtures
{
QByteArray directory0();
QByteArray directory1();
QByteArray directory2();
QByteArray directory3();
QByteArray directory4();
QByteArray directory5();
QByteArray directory6();
QByteArray directory7();
QByteArray directory8();
QByteArray directory9();
QByteArray directory10();
QByteArray directory11();
} // namespace fixtures
