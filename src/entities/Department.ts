import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A department (部門): the unit that keeps an inventory and runs the monthly self-assessment. */
@Entity('department')
export class Department {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 40, unique: true })
  code: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
