"""clause translations: the second working language beside the first

Revision ID: b3d5f7a9c1e2
Revises: 8e2f3a4b5c6d
Create Date: 2026-12-02 11:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3d5f7a9c1e2'
down_revision = '8e2f3a4b5c6d'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('clause', 'clause_version'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('translation', sa.Text(), server_default='', nullable=False)
            )
            batch_op.add_column(
                sa.Column(
                    'translation_needed', sa.Boolean(), server_default=sa.false(), nullable=False
                )
            )
    with op.batch_alter_table('amendment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translation', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('amendment', schema=None) as batch_op:
        batch_op.drop_column('translation')
    for table in ('clause_version', 'clause'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('translation_needed')
            batch_op.drop_column('translation')
